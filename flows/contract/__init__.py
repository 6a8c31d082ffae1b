"""The report contract (contract.md): the types every step hands on. Imports nothing of the project."""
