"""Cases and operations shared explicitly between organisations; referrals tracked."""
