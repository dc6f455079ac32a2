"""Router placeholder: owned by its component until it lands."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
