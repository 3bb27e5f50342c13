"""The {{host_title}} plugin module of `{{dist}}` (entry-point group `{{group}}`).

It implements no hooks yet: add hookimpls marked with
`{{marker_import}}`.
"""
