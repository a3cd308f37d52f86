"""Squall's own Python support code for actions and sensors (standard library only)."""
