"""The conda plugin module of `shell-posix` (entry-point group `conda`).

It implements no hooks yet: add hookimpls marked with
`from plugin_contract.conda import hookimpl`.
"""
