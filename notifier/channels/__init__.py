"""Delivery channels, one file each, behind `deliver(message) -> DeliveryResult`."""
