"""Webhooks: a firm's other systems (and a bureau's, through the firm) follow an engagement's
events — stage advanced, submission sent, the bureau's decision, the quality rating, the
deposit falling due or overdue — as signed JSON POSTs, retried with backoff from the job queue,
with every attempt in a delivery log the agency admin reads on /settings/webhooks.
"""
