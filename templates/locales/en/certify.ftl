# Certificates: the certificate and verify pages, the PDF, the signed credential's narrative, progress labels, reminders, CSV import.
