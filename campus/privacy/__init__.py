"""Privacy by design (issue 17): retention and anonymisation, a person's data, erasure,
and the co-determination switch for figures per named campus manager."""
