"""Cổng Số: an open-source digital-government platform."""
