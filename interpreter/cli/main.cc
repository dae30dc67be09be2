#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/process.h"

int main(int argc, char** argv) {
  return slipway::cli::Main(argc, slipway::exec::HardenProcess(argc, argv));
}
