"""Legacy import location of the action base class (StackStorm < 2.0)."""
