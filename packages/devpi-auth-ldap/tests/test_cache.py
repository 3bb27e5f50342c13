"""The success cache and the per-credential locks (pure logic)."""

from __future__ import annotations

import threading

from devpi_auth_ldap.cache import Hit, KeyedLocks, SuccessCache


def test_cache_keys_hold_no_password() -> None:
    cache = SuccessCache(60)
    key = cache.key("alice", "s3cret")
    assert key[0] == "alice"
    assert b"s3cret" not in key[1]
    assert SuccessCache(60).key("alice", "s3cret") != key  # salted per process


def test_hit_miss_and_forget() -> None:
    cache = SuccessCache(60)
    key = cache.key("alice", "pw")
    assert cache.get(key) is None
    cache.put(key, ["devs"])
    assert cache.get(key) == Hit("", ["devs"])
    assert cache.get(cache.key("alice", "other")) is None
    cache.forget_user("alice")
    assert cache.get(key) is None


def test_zero_ttl_disables_the_cache() -> None:
    cache = SuccessCache(0)
    key = cache.key("alice", "pw")
    cache.put(key, [])
    assert cache.get(key) is None


def test_cache_is_bounded() -> None:
    cache = SuccessCache(60, max_entries=2)
    keys = [cache.key(f"u{i}", "pw") for i in range(3)]
    for key in keys:
        cache.put(key, [])
    assert cache.get(keys[0]) is None
    assert cache.get(keys[2]) == Hit("", [])


def test_keyed_lock_waits_are_bounded() -> None:
    locks = KeyedLocks()
    key = ("alice", b"x")
    assert locks.acquire(key, timeout=1)
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(locks.acquire(key, timeout=0.05)))
    waiter.start()
    waiter.join(5)
    assert outcome == [False]
    locks.release(key)
    assert locks.acquire(key, timeout=1)
    locks.release(key)


def test_groups_expire_on_their_own_ttl() -> None:
    cache = SuccessCache(60, group_ttl_seconds=0)
    key = cache.key("alice", "pw")
    cache.put(key, ["devs"], dn="uid=alice")
    assert cache.get(key) == Hit("uid=alice", None)  # the login is cached, its groups are not
    cache.group_ttl = 60
    cache.set_groups(key, ["ops"])
    assert cache.get(key) == Hit("uid=alice", ["ops"])


def test_fresh_groups_answer_only_fresh_logins_with_fresh_groups() -> None:
    cache = SuccessCache(60, group_ttl_seconds=60)
    key = cache.key("alice", "pw")
    assert cache.fresh_groups(key) is None
    cache.put(key, ["devs"], dn="uid=alice")
    assert cache.fresh_groups(key) == ("devs",)
    assert cache.fresh_groups(cache.key("alice", "other")) is None
    cache.group_ttl = 0
    cache.put(key, ["devs"], dn="uid=alice")
    assert cache.fresh_groups(key) is None  # stale groups: the slow path looks them up
    cache.ttl = 0
    cache.put(key, ["devs"])
    cache.forget_user("alice")
    assert cache.fresh_groups(key) is None
