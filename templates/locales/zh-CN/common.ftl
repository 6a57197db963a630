# Shared by every surface: the layout, roles, common words.

# A message the i18n tests use.
test-greeting = 你好，{ $name }！
page-error-title = 出错了
page-refused-title = 无法处理该请求
