"""FPH (*fonds de participation des habitants*): funds, règlements, applications,
committee decisions, payments, reports and their public page."""
