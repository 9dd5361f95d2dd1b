"""Load analysis: pure pandas, sessions in, tables out; no I/O and no clock (pass ``as_of``)."""
