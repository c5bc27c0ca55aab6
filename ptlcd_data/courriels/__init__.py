"""The mailbox where porteurs send their workbooks back: read, verified, turned into dépôts."""
