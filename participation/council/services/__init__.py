"""Services of the council feature, one module per section (councils and members,
draws, meetings and attendance, deliberations, minutes). They flush; the caller
commits. Every actor is typed (a person or ``SYSTEM``) and re-checked here.
"""
