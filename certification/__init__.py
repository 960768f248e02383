"""Credit cycles, the credit ledger, mentor qualification, certificates and HR reports."""
