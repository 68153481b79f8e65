"""Team: /invite, /members, /deactivate, /reactivate, /reassign."""
