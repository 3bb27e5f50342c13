"""The conda plugin module of `session-oauth` (entry-point group `conda`).

It implements no hooks yet: add hookimpls marked with
`from plugin_contract.conda import hookimpl`.
"""
