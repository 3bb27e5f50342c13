"""The devpi-server plugin module of `devpi-notify` (entry-point group `devpi_server`).

It implements no hooks yet: add hookimpls marked with
`from plugin_contract.devpi import hookimpl`.
"""
