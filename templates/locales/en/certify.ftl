# Certificates: the PDF, the signed credential's narrative, progress labels, reminders, CSV import.
