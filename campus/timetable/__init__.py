from flask import Blueprint

# No prefix: the timetable pages live under /timetable, the day plan at /today, and the
# service worker at /sw.js (a worker looks after the paths below its own).
bp = Blueprint("timetable", __name__)
