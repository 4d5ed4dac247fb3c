"""The staff console's tests (a package, so that their module names do not collide with tests/api's)."""
