"""Voting: sign-in list, ballot box, desks, paper batches, tally, pabulib."""
