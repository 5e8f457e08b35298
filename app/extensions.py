"""Bare extension instances; `create_app` binds them to an application."""

from flask_limiter.util import get_remote_address
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app import timestamps
from app.api.core import CivicApi
from app.limits import CivicLimiter

timestamps.register()  # a stored date-time outside the window never breaks a read (app/timestamps.py)

# Deterministic constraint names, so Alembic autogenerate and downgrades are stable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
api = CivicApi()
migrate = Migrate()
mail = Mail()
# Limits are declared per view (app/api/ratelimit.py); nothing is limited by default.
limiter = CivicLimiter(key_func=get_remote_address)
csrf = CSRFProtect()
