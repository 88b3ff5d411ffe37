from flask import Blueprint

# No URL prefix: besides /devices/..., the short scan addresses /d/<token> and /r/<token>
# that QR labels encode live here.
bp = Blueprint("devices", __name__)
