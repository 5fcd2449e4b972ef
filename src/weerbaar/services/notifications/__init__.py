"""Notifications of level changes: where they go, an outbox of e-mails and signed
webhooks, their delivery, and the log people read and retry from.

- :mod:`.channels`: each organisation's e-mail addresses and webhooks, each with the
  language its e-mails are written in (administrators manage them; a webhook's
  signing secret is shown once).
- :mod:`.wording`: a notice's e-mail subject and text in a channel's language; the
  webhook body is the same bytes in every language.
- :mod:`.outbox`: a level change queues one row per notice and active channel of the
  organisation in its own transaction, so no notice is lost between the commit and
  the send.
- :mod:`.delivery`: sends what is due, at least once, with retries and a dead-letter
  list.
- :mod:`.signing`: the webhook signature and how a receiver checks it.
- :mod:`.views`: the log, as far as each reader may see it, and retrying a dead
  notification.
"""
