#include "interpreter/cli/subcommand.h"

int main(int argc, char** argv) { return slipway::cli::Main(argc, argv); }
