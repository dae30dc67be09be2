#include "interpreter/base/fd_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace slipway {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/slipway-fd-io-" + std::to_string(getpid()) + "-" + name;
}

// The rule every whole-file read follows: a regular file (or, for inputs, a pipe) of at most
// 32 MiB; a FIFO that is refused is never opened, so nothing waits for a writer.
TEST(ReadWholeFileTest, StateFilesAreRegularFilesOnly) {
  std::string text, error;
  const std::string fifo = TempPath("fifo");
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(ReadStateFile(fifo, &text, &error));
  EXPECT_EQ(error, "is not a regular file");
  EXPECT_FALSE(ReadStateLog(fifo, &text, &error));
  EXPECT_FALSE(IsRegularFile(fifo));
  std::remove(fifo.c_str());

  EXPECT_FALSE(ReadStateFile("/dev/zero", &text, &error));
  EXPECT_EQ(error, "is not a regular file");
  EXPECT_FALSE(ReadWholeFile("/dev/zero", FileKinds::kRegularOrPipe, &text, &error));
  EXPECT_EQ(error, "is not a regular file or a pipe");
  EXPECT_FALSE(ReadStateFile("/", &text, &error));
  EXPECT_EQ(error, "is a directory");
  EXPECT_FALSE(ReadStateFile(TempPath("missing"), &text, &error));
  EXPECT_EQ(errno, ENOENT);

  const std::string big = TempPath("big");
  {
    FILE* f = std::fopen(big.c_str(), "w");
    ASSERT_NE(f, nullptr);
    ASSERT_GE(std::fputs("{}", f), 0);
    std::fclose(f);
  }
  EXPECT_TRUE(ReadStateFile(big, &text, &error)) << error;
  EXPECT_TRUE(IsRegularFile(big));
  ASSERT_EQ(truncate(big.c_str(), static_cast<off_t>(kMaxWholeFileBytes + 1)), 0);
  EXPECT_FALSE(ReadStateFile(big, &text, &error));
  EXPECT_EQ(error, "is larger than 32 MiB, the limit for a file slipway reads");
  // A log grows with the work it records: any size, but still a regular file.
  EXPECT_TRUE(ReadStateLog(big, &text, &error)) << error;
  EXPECT_EQ(text.size(), kMaxWholeFileBytes + 1);
  std::remove(big.c_str());
}

}  // namespace
}  // namespace slipway
