"""The conversation of each action between its porteur and the coordinators: `conversation`
(who may write and read, each message journaled, never changed nor deleted), `notifications`
(the e-mail that tells the other side, sent with the base let go)."""
