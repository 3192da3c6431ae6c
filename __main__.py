"""Pulumi entry point: one stack per tenant (or per shared regional cluster). See components/program.py."""

from components.program import run

run()
