# Staff pages: grading, HR, transcript of a learner, attempt detail, certificate operations.
