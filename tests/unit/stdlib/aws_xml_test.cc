#include "stdlib/aws_xml.h"

#include <gtest/gtest.h>

namespace slipway::stdlib::aws {
namespace {

TEST(AwsXmlTest, ReadsAQueryApiResponse) {
  std::string error;
  std::optional<XmlElement> root = ParseXml(R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackName>web</StackName>
        <StackStatus> UPDATE_COMPLETE </StackStatus>
        <Outputs>
          <member><OutputKey>ApiUrl</OutputKey><OutputValue>https://x/?a=1&amp;b=2</OutputValue></member>
          <member><OutputKey>Empty</OutputKey><OutputValue/></member>
        </Outputs>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata><RequestId>abc</RequestId></ResponseMetadata>
</DescribeStacksResponse>)",
                                            &error);
  ASSERT_TRUE(root) << error;
  EXPECT_EQ(root->name, "DescribeStacksResponse");
  EXPECT_EQ(root->TextAt("DescribeStacksResult/Stacks/member/StackStatus"), "UPDATE_COMPLETE");
  EXPECT_EQ(root->TextAt("ResponseMetadata/RequestId"), "abc");
  EXPECT_EQ(root->TextAt("DescribeStacksResult/Nope"), "");
  const XmlElement* outputs = root->Find("Outputs");
  ASSERT_NE(outputs, nullptr);
  std::vector<const XmlElement*> members = outputs->Children("member");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0]->TextAt("OutputValue"), "https://x/?a=1&b=2");
  EXPECT_EQ(members[1]->TextAt("OutputKey"), "Empty");
  EXPECT_NE(members[1]->Child("OutputValue"), nullptr);
  EXPECT_EQ(members[1]->TextAt("OutputValue"), "");
}

TEST(AwsXmlTest, DecodesEntitiesCdataAndSkipsNoise) {
  std::string error;
  std::optional<XmlElement> root = ParseXml(
      "<!DOCTYPE x><a:Root xmlns:a='u' attr=\"x > y\"><!-- a <comment> -->"
      "<Body>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#xE9;&unknown; &</Body>"
      "<Raw><![CDATA[<not> &amp; parsed]]></Raw><a:Pre>p</a:Pre></a:Root>",
      &error);
  ASSERT_TRUE(root) << error;
  EXPECT_EQ(root->name, "Root");
  EXPECT_EQ(root->TextAt("Body"), "<>&\"'AB\xC3\xA9&unknown; &");
  EXPECT_EQ(root->TextAt("Raw"), "<not> &amp; parsed");
  EXPECT_EQ(root->TextAt("Pre"), "p");
}

TEST(AwsXmlTest, RejectsBrokenDocuments) {
  struct Case {
    std::string text;
    std::string error;
  };
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += "<a>";
  const Case cases[] = {
      {"", "no root element"},
      {"<a><b></a>", "unexpected end tag </a>"},
      {"<a>", "element <a> is not closed"},
      {"<a></a><b/>", "more than one root element"},
      {"text<a/>", "text outside the root element"},
      {"<a><!-- open", "unterminated comment"},
      {"<a x='1", "unterminated start tag"},
      {"<a><![CDATA[x</a>", "unterminated CDATA section"},
      {"<>", "a tag without a name"},
      {deep, "elements nested too deeply"},
      {"<html><body>Bad Gateway</body>", "element <html> is not closed"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseXml(c.text, &error).has_value()) << c.text;
    EXPECT_NE(error.find(c.error), std::string::npos) << c.text << " → " << error;
  }
}

}  // namespace
}  // namespace slipway::stdlib::aws
