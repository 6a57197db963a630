# The built site: header.hbs ({{t "id"}}) and the page script (every js- message, sent to the browser by the build).
