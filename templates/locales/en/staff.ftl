# Staff pages: grading, HR, analysis, build status, certificate operations, exam settings.
