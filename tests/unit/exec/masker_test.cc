#include "interpreter/exec/masker.h"
#include "interpreter/exec/step_log.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

namespace slipway::exec {
namespace {

std::string Streamed(const Masker& masker, std::string_view text, const std::vector<size_t>& cuts) {
  std::string out;
  MaskingWriter writer(masker, [&](std::string_view chunk) { out.append(chunk); });
  size_t pos = 0;
  for (size_t cut : cuts) {
    writer.Write(text.substr(pos, cut - pos));
    pos = cut;
  }
  writer.Write(text.substr(pos));
  writer.Flush();
  return out;
}

// "******" and "***" both mean "masked here"; streaming may split one mask in two.
std::string CollapseMasks(std::string text) {
  return std::regex_replace(text, std::regex("(\\*\\*\\*)+"), "***");
}

TEST(MaskerTest, Table) {
  struct Case {
    std::vector<std::string> secrets;
    std::string input;
    std::string expected;
  };
  const Case cases[] = {
      {{"hunter2"}, "password is hunter2.", "password is ***."},
      {{"hunter2"}, "hunter2hunter2 x hunter2", "*** x ***"},
      {{"abcd", "cdef"}, "xabcdefx", "x***x"},  // overlapping secrets: one mask
      {{"s3cr3t"}, "nothing here", "nothing here"},
      {{""}, "empty secrets mask nothing", "empty secrets mask nothing"},
      {{"  \n "}, "whitespace secrets mask nothing", "whitespace secrets mask nothing"},
      // Each line of a multi-line secret.
      {{"line-one\nline-two\n"}, "got line-two only", "got *** only"},
      {{"-----BEGIN KEY-----\r\nMIIabc\r\n-----END KEY-----"}, "k: MIIabc", "k: ***"},
      // JSON-escaped form.
      {{"pa\"ss\\wd"}, R"({"p": "pa\"ss\\wd"})", R"({"p": "***"})"},
      {{"multi\nline"}, R"({"v":"multi\nline"})", R"({"v":"***"})"},
      // base64 at any alignment: "hunter2" = aHVudGVyMg==; "xhunter2" = eGh1bnRlcjI=.
      // Only characters fixed by the secret's bits are masked; the edges depend on neighbours.
      {{"hunter2"}, "b64 aHVudGVyMg==", "b64 ***=="},
      {{"hunter2"}, "b64 eGh1bnRlcjI=", "b64 eG***I="},
      {{"hunter2"}, "b64 eHlodW50ZXIy", "b64 eHl***"},
  };
  for (const Case& c : cases) {
    Masker masker;
    for (const std::string& secret : c.secrets) masker.Add(secret);
    EXPECT_EQ(masker.Mask(c.input), c.expected) << c.input;
  }
}

TEST(MaskerTest, FormsOfAMultiLineSecret) {
  std::vector<std::string> forms = MaskForms("ab\nline-two");
  EXPECT_NE(std::find(forms.begin(), forms.end(), "ab\nline-two"), forms.end());
  EXPECT_NE(std::find(forms.begin(), forms.end(), "line-two"), forms.end());
  EXPECT_NE(std::find(forms.begin(), forms.end(), "ab\\nline-two"), forms.end());
  // Too short to mask on its own.
  EXPECT_EQ(std::find(forms.begin(), forms.end(), "ab"), forms.end());
}

// Output lines also end at a lone CR (LineSplitter), so each piece of a secret between CRs is
// masked on its own, as the runner splits secrets at '\r' and '\n' (Worker.cs).
TEST(MaskerTest, PiecesOfASecretBetweenCarriageReturns) {
  std::vector<std::string> forms = MaskForms("first-piece\rsecond-piece\r\nthird-piece");
  for (const char* piece : {"first-piece", "second-piece", "third-piece"}) {
    EXPECT_NE(std::find(forms.begin(), forms.end(), piece), forms.end()) << piece;
  }
  Masker masker;
  masker.Add("first-piece\rsecond-piece");
  std::vector<std::string> lines;
  LineSplitter splitter([&](std::string_view line) { lines.push_back(masker.Mask(line)); }, masker);
  splitter.Write(OutputStream::kStdout, "first-piece\rsecond-piece\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"***", "***"}));
}

TEST(MaskerTest, ValuesAddedLaterAreMaskedFromThenOn) {
  Masker masker;
  EXPECT_EQ(masker.Mask("token=abc123"), "token=abc123");
  masker.Add("abc123");
  EXPECT_EQ(masker.Mask("token=abc123"), "token=***");
}

TEST(MaskingWriterTest, SecretSplitAcrossWrites) {
  Masker masker;
  masker.Add("supersecretvalue");
  EXPECT_EQ(Streamed(masker, "a supersecretvalue b", {7}), "a *** b");
  EXPECT_EQ(Streamed(masker, "a supersecretvalue b", {3, 4, 5, 6, 7, 8, 9, 10}), "a *** b");
  EXPECT_EQ(Streamed(masker, "supersecretvalue", {15}), "***");
}

TEST(MaskingWriterTest, MaskAddedWhileBytesAreHeldBack) {
  Masker masker;
  masker.Add("0123456789");  // makes the writer hold back 9 bytes
  std::string out;
  MaskingWriter writer(masker, [&](std::string_view chunk) { out.append(chunk); });
  writer.Write("x tok");
  masker.Add("token42");
  writer.Write("en42 y");
  writer.Flush();
  EXPECT_EQ(out, "x *** y");
}

TEST(MaskingWriterTest, OverlappingSecretsStraddlingTheHoldBack) {
  Masker masker;
  masker.Add("abcd");
  masker.Add("cdef");
  EXPECT_EQ(Streamed(masker, "xabcdefx", {5}), "x***x");
  EXPECT_EQ(Streamed(masker, "xabcdefx", {4, 6}), "x***x");
}

TEST(MaskingWriterTest, RandomSplitsNeverLeakAndMatchWholeTextMasking) {
  Masker masker;
  const std::vector<std::string> secrets = {"correct horse", "battery-staple", "ho", "k3y\nvalue"};
  for (const std::string& s : secrets) masker.Add(s);
  std::mt19937 random(12345);
  const std::vector<std::string> words = {
      "correct horse", "battery-staple", "noise",  "\n", "correct", "horse", "k3y",
      "value",         "k3y\nvalue",     "staple", "ho", "hoho",    " "};
  for (int round = 0; round < 300; ++round) {
    std::string text;
    for (int i = 0; i < 12; ++i) text += words[random() % words.size()];
    std::vector<size_t> cuts;
    for (size_t pos = 0; pos < text.size(); pos += 1 + random() % 6) cuts.push_back(pos);
    std::string streamed = Streamed(masker, text, cuts);
    EXPECT_EQ(CollapseMasks(streamed), CollapseMasks(masker.Mask(text))) << text;
    for (std::string_view s : {"correct horse", "battery-staple", "k3y\nvalue"}) {
      EXPECT_EQ(streamed.find(s), std::string::npos) << s << " leaked in " << streamed;
    }
  }
}

}  // namespace
}  // namespace slipway::exec

namespace slipway::exec {
namespace {

// The forms actions/runner registers (ValueEncoders), written out by hand for one value.
TEST(MaskFormsTest, EveryRunnerEncoding) {
  const std::string secret = "p\"a&b<c>'d e/f+g";
  std::vector<std::string> forms = MaskForms(secret);
  auto has = [&](const std::string& form) {
    return std::find(forms.begin(), forms.end(), form) != forms.end();
  };
  EXPECT_TRUE(has("p\\\"a&b<c>'d e/f+g"));                              // JSON / command line
  EXPECT_TRUE(has("p\"a&b<c>''d e/f+g"));                               // expression string
  EXPECT_TRUE(has("p%22a%26b%3Cc%3E%27d%20e%2Ff%2Bg"));                 // URI data
  EXPECT_TRUE(has("p&quot;a&amp;b&lt;c&gt;&apos;d e/f+g"));             // XML
  EXPECT_FALSE(has("p\"a&"));  // before '&': shorter than 6, not masked on its own
  EXPECT_TRUE(has("b<c>'d e/f+g"));                                     // ... and after it
  EXPECT_TRUE(has("cCJhJmI8Yz4nZCBlL2YrZw"));                           // base64, aligned
  std::vector<std::string> quoted = MaskForms("\"quoted-value\"");
  EXPECT_NE(std::find(quoted.begin(), quoted.end(), "quoted-value"), quoted.end());
}

TEST(MaskFormsTest, Base64WrappedAt76ColumnsIsMasked) {
  const std::string secret(100, 'k');
  Masker masker;
  masker.Add(secret);
  // `printf 'xx%s' "$secret" | base64` (coreutils), which wraps after 76 characters.
  const std::string encoded =
      "eHhra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tr\n"
      "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2tr\n";
  std::string masked = masker.Mask(encoded);
  EXPECT_EQ(masked, "eHh***\n") << masked;
}

}  // namespace
}  // namespace slipway::exec
