"""Watch areas: polygons residents draw to hear about everything inside them."""
