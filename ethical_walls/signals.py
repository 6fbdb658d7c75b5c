"""What the wall tells the apps above it, without importing them.

`wall_recorded` is sent inside the transaction of a change to a wall that belongs on its
competition's timeline (the arrangements recorded, the conflicts assessment completed); the
competitions app writes the timeline entry (competitions/apps.py).
"""

from django.dispatch import Signal

# Keyword arguments: competition, actor, action (the timeline's kind), description.
wall_recorded = Signal()
