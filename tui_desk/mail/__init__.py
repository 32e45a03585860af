"""E-mail in and out: parsing, threading and import, IMAP fetch, SMTP outbox, export.

No Textual here: the command line (cli/mail.py) and the app both use it.
"""
