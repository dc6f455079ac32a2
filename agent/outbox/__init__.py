"""The outbox: the only place messages leave the product (SMTP email, SMS provider, postal print batch),
each one guarded on its final text at the moment of sending, with delivery events on the contact."""
