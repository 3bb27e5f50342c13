"""The conda plugin module of `session-basic-auth` (entry-point group `conda`).

It implements no hooks yet: add hookimpls marked with
`from plugin_contract.conda import hookimpl`.
"""
