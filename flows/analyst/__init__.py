"""What analysts use beside the warehouse file: query output formats, the Python entry point."""
