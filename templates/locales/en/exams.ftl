# Exam settings and analysis pages (staff), exam attempts.
