"""Tables of the FPH: funds and funders, règlements, applications and their budget,
payments, reports (bilans) with their expenses and files.

Invariants that matter are database constraints: one fund per territory and year;
its balance never below zero nor above the envelope; one règlement in force per
fund; an amount granted never above the amount requested; a filed application has
a receipt number; an association names its RNA or SIRET; receipts are never public.
"""

from __future__ import annotations

from .applications import (
    ZERO,
    Application,
    ApplicationMember,
    ApplicationStateChange,
    BudgetLine,
    application_theme,
)
from .funds import Fund, FundFunder, Reglement
from .reports import Payment, Report, ReportExpense, ReportFile

__all__ = [
    "ZERO",
    "Application",
    "ApplicationMember",
    "ApplicationStateChange",
    "BudgetLine",
    "Fund",
    "FundFunder",
    "Payment",
    "Reglement",
    "Report",
    "ReportExpense",
    "ReportFile",
    "application_theme",
]
