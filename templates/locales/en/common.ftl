# Shared by every surface: the layout, roles, common words.

# A message the i18n tests use.
test-greeting = Hello, { $name }!
page-error-title = Something went wrong
page-refused-title = The request cannot be handled
