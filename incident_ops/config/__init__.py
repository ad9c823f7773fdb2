"""The config file: `types` (frozen dataclasses), `values` (checks of one value), `schema` (the key tree and
its problems), `load` (read, validate, build). May import `incident_ops.lazy` only (PyYAML, holidays late).
"""
