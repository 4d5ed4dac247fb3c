"""Server-rendered pages for people: verification page, QR codes, PDF certificates."""
