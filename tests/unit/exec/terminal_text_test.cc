#include "interpreter/exec/terminal_text.h"

#include <gtest/gtest.h>

namespace slipway::exec {
namespace {

TEST(TerminalText, ColoursPassAndOtherEscapesAreShown) {
  // SGR colours, as GitHub's log viewer renders them.
  EXPECT_EQ(SafeForTerminal("\x1b[1;31mred\x1b[0m plain\tTAB"), "\x1b[1;31mred\x1b[0m plain\tTAB");
  EXPECT_EQ(SafeForTerminal("\x1b[38:5:196mx\x1b[m"), "\x1b[38:5:196mx\x1b[m");
  // OSC 52 would put a command on the reviewer's clipboard; OSC 0 sets the window title.
  EXPECT_EQ(SafeForTerminal("\x1b]52;c;Y3VybCBldmls\x07"), "^[]52;c;Y3VybCBldmls^G");
  EXPECT_EQ(SafeForTerminal("\x1b]0;approved\x1b\\"), "^[]0;approved^[\\");
  // Clearing the screen, moving the cursor, a carriage return overwriting the line.
  EXPECT_EQ(SafeForTerminal("\x1b[2J\x1b[H"), "^[[2J^[[H");
  EXPECT_EQ(SafeForTerminal("deploy failed\rdeploy ok    "), "deploy failed^Mdeploy ok    ");
  EXPECT_EQ(SafeForTerminal("a\x1b"), "a^[");          // an escape at the end
  EXPECT_EQ(SafeForTerminal("\x1b[31"), "^[[31");      // an unfinished colour
  EXPECT_EQ(SafeForTerminal(std::string_view("x\x7fy\x00z", 5)), "x^?y^@z");
  // C1 controls in UTF-8: U+009B is a one-character CSI for some terminals.
  EXPECT_EQ(SafeForTerminal("\xc2\x9b" "2J"), "^[[2J");
  // Other UTF-8 passes untouched.
  EXPECT_EQ(SafeForTerminal("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
}

TEST(TerminalText, NewlinesAreKeptOnlyWhenAsked) {
  EXPECT_EQ(SafeForTerminal("a\nb"), "a^Jb");
  EXPECT_EQ(SafeForTerminal("a\nb\x1b[2Jc", /*keep_newlines=*/true), "a\nb^[[2Jc");
}

}  // namespace
}  // namespace slipway::exec
