"""Asterisk Manager Interface (AMI) adapter: follows an Asterisk PBX's call events and turns
them into Relais' generic telephony events (Zammad CTI field names)."""

from phone_desk.ami.adapter import AmiAdapter, AmiLoginRefused
from phone_desk.ami.sink import EventSink, HttpEventSink, MemorySink
from phone_desk.ami.tracker import CallTracker

__all__ = ["AmiAdapter", "AmiLoginRefused", "CallTracker", "EventSink", "HttpEventSink",
           "MemorySink"]
