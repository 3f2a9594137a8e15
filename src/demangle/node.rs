//! The demangled-name tree and how it prints, node for node as LLVM's `ItaniumDemangle.h`
//! (LLVM 22) prints it: each node prints a left part and, for declarator syntax such as
//! arrays and functions, a right part; expressions print their operands in parentheses
//! when the operand binds more loosely.
//!
//! Printing is bounded: a tree built from a malformed name can be deep or, through
//! substitutions, exponentially large when printed, so the printer gives up (and the
//! name stays mangled) past a depth, a step count or an output size.

/// A node's index in [`Ast::nodes`].
pub(super) type NodeId = u32;

/// Bytes of the mangled name, or a fixed spelling.
pub(super) type Str<'s> = &'s [u8];

/// A run of node ids in [`Ast::lists`].
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct List {
    start: u32,
    len: u32,
}

impl List {
    pub(super) fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// Whether a node has a property (a right part, an array or a function type), where
/// `Unknown` means it depends on which element of a parameter pack is being printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Cache {
    Yes,
    No,
    Unknown,
}

/// Operator precedence, tightest first, deciding where an operand needs parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Prec {
    Primary,
    Postfix,
    Unary,
    Cast,
    PtrMem,
    Multiplicative,
    Additive,
    Shift,
    Spaceship,
    Relational,
    Equality,
    And,
    Xor,
    Ior,
    AndIf,
    OrIf,
    Conditional,
    Assign,
    Comma,
    Default,
}

/// `const`, `volatile` and `restrict`, as bits.
pub(super) const QUAL_CONST: u8 = 1;
pub(super) const QUAL_VOLATILE: u8 = 2;
pub(super) const QUAL_RESTRICT: u8 = 4;

/// A function's `&` or `&&` qualifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum RefQual {
    None,
    LValue,
    RValue,
}

/// The standard-library names `Sa`, `Sb`, `Ss`, `Si`, `So` and `Sd`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum SpecialSub {
    Allocator,
    BasicString,
    String,
    Istream,
    Ostream,
    Iostream,
}

impl SpecialSub {
    /// Whether it names an instantiation (`std::string`) rather than a template.
    fn is_instantiation(self) -> bool {
        matches!(
            self,
            SpecialSub::String | SpecialSub::Istream | SpecialSub::Ostream | SpecialSub::Iostream
        )
    }

    fn full_name(self) -> Str<'static> {
        match self {
            SpecialSub::Allocator => b"allocator",
            SpecialSub::BasicString | SpecialSub::String => b"basic_string",
            SpecialSub::Istream => b"basic_istream",
            SpecialSub::Ostream => b"basic_ostream",
            SpecialSub::Iostream => b"basic_iostream",
        }
    }

    /// The typedef's name: the instantiations drop `basic_`.
    fn short_name(self) -> Str<'static> {
        let full = self.full_name();
        if self.is_instantiation() {
            &full[b"basic_".len()..]
        } else {
            full
        }
    }
}

/// The kind of an invented template parameter name (`$T`, `$N`, `$TT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ParamKind {
    Type,
    NonType,
    Template,
}

/// Which floating-point type a literal's hex digits encode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum FloatKind {
    Float,
    Double,
    LongDouble,
}

impl FloatKind {
    /// How many hex digits the literal has (for `long double`, x86's 80-bit format, as
    /// the LLVM that wasm-ld is built with runs on x86-64).
    pub(super) fn digits(self) -> usize {
        match self {
            FloatKind::Float => 8,
            FloatKind::Double => 16,
            FloatKind::LongDouble => 20,
        }
    }
}

/// One node's syntax: the variants and fields of LLVM's node classes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind<'s> {
    NodeArray(List),
    DotSuffix(NodeId, Str<'s>),
    VendorExtQualType(NodeId, Str<'s>, Option<NodeId>),
    QualType(NodeId, u8),
    ConversionOperatorType(NodeId),
    PostfixQualifiedType(NodeId, Str<'s>),
    ElaboratedTypeSpefType(Str<'s>, NodeId),
    TransformedType(Str<'s>, NodeId),
    Name(Str<'s>),
    AbiTagAttr(NodeId, Str<'s>),
    EnableIfAttr(List),
    ObjCProtoName(NodeId, Str<'s>),
    Pointer(NodeId),
    /// Pointee, and whether it is an rvalue reference.
    Reference(NodeId, bool),
    /// Class type, member type.
    PointerToMember(NodeId, NodeId),
    Array(NodeId, Option<NodeId>),
    Function {
        ret: NodeId,
        params: List,
        cv: u8,
        ref_qual: RefQual,
        exception: Option<NodeId>,
    },
    NoexceptSpec(NodeId),
    DynamicExceptionSpec(List),
    ExplicitObjectParameter(NodeId),
    FunctionEncoding {
        ret: Option<NodeId>,
        name: NodeId,
        params: List,
        attrs: Option<NodeId>,
        requires: Option<NodeId>,
        cv: u8,
        ref_qual: RefQual,
    },
    LiteralOperator(NodeId),
    SpecialName(Str<'s>, NodeId),
    CtorVtableSpecialName(NodeId, NodeId),
    Nested(NodeId, NodeId),
    MemberLikeFriendName(NodeId, NodeId),
    /// Parent module, name, whether it is a partition.
    ModuleName(Option<NodeId>, NodeId, bool),
    /// Module, name.
    ModuleEntity(NodeId, NodeId),
    Local(NodeId, NodeId),
    Qualified(NodeId, NodeId),
    Vector(NodeId, Option<NodeId>),
    PixelVector(NodeId),
    BinaryFP(NodeId),
    BitInt(NodeId, bool),
    SyntheticTemplateParamName(ParamKind, u32),
    /// A template argument after its parameter's declaration, which does not print.
    TemplateParamQualifiedArg(NodeId),
    TypeTemplateParamDecl(NodeId),
    ConstrainedTypeTemplateParamDecl(NodeId, NodeId),
    /// Name, type.
    NonTypeTemplateParamDecl(NodeId, NodeId),
    TemplateTemplateParamDecl(NodeId, List, Option<NodeId>),
    TemplateParamPackDecl(NodeId),
    ParameterPack(List),
    TemplateArgumentPack(List),
    ParameterPackExpansion(NodeId),
    TemplateArgs(List),
    /// A template parameter used before its arguments are parsed (in a conversion
    /// operator's type), resolved once they are.
    ForwardTemplateReference(usize, Option<NodeId>),
    NameWithTemplateArgs(NodeId, NodeId),
    GlobalQualifiedName(NodeId),
    ExpandedSpecialSubstitution(SpecialSub),
    SpecialSubstitution(SpecialSub),
    /// Class name, whether a destructor.
    CtorDtorName(NodeId, bool),
    DtorName(NodeId),
    UnnamedTypeName(Str<'s>),
    ClosureTypeName {
        template_params: List,
        requires1: Option<NodeId>,
        params: List,
        requires2: Option<NodeId>,
        count: Str<'s>,
    },
    StructuredBindingName(List),
    BinaryExpr(NodeId, Str<'s>, NodeId),
    ArraySubscriptExpr(NodeId, NodeId),
    PostfixExpr(NodeId, Str<'s>),
    ConditionalExpr(NodeId, NodeId, NodeId),
    MemberExpr(NodeId, Str<'s>, NodeId),
    SubobjectExpr {
        ty: NodeId,
        sub: NodeId,
        offset: Str<'s>,
    },
    EnclosingExpr(Str<'s>, NodeId),
    CastExpr(Str<'s>, NodeId, NodeId),
    SizeofParamPackExpr(NodeId),
    /// Callee, arguments, whether the callee is parenthesized.
    CallExpr(NodeId, List, bool),
    NewExpr {
        exprs: List,
        ty: NodeId,
        inits: List,
        global: bool,
        array: bool,
    },
    DeleteExpr(NodeId, bool, bool),
    PrefixExpr(Str<'s>, NodeId),
    FunctionParam(Str<'s>),
    ConversionExpr(NodeId, List),
    PointerToMemberConversionExpr(NodeId, NodeId),
    InitListExpr(Option<NodeId>, List),
    /// Element, initializer, whether an array designator.
    BracedExpr(NodeId, NodeId, bool),
    BracedRangeExpr(NodeId, NodeId, NodeId),
    FoldExpr {
        left: bool,
        op: Str<'s>,
        pack: NodeId,
        init: Option<NodeId>,
    },
    ThrowExpr(NodeId),
    BoolExpr(bool),
    StringLiteral(NodeId),
    LambdaExpr(NodeId),
    EnumLiteral(NodeId, Str<'s>),
    /// Suffix or type, digits (`n` for minus).
    IntegerLiteral(Str<'s>, Str<'s>),
    FloatLiteral(FloatKind, Str<'s>),
    RequiresExpr(List, List),
    ExprRequirement(NodeId, bool, Option<NodeId>),
    TypeRequirement(NodeId),
    NestedRequirement(NodeId),
}

/// A node: its syntax, precedence and cached properties.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node<'s> {
    pub(super) kind: Kind<'s>,
    prec: Prec,
    rhs: Cache,
    array: Cache,
    function: Cache,
}

/// The nodes of one demangled name, and the lists they refer to.
#[derive(Default)]
pub(super) struct Ast<'s> {
    pub(super) nodes: Vec<Node<'s>>,
    lists: Vec<NodeId>,
}

impl<'s> Ast<'s> {
    /// Adds a node of precedence `Primary`.
    pub(super) fn make(&mut self, kind: Kind<'s>) -> NodeId {
        self.make_prec(kind, Prec::Primary)
    }

    /// Adds a node, computing its cached properties from its children as LLVM does.
    pub(super) fn make_prec(&mut self, kind: Kind<'s>, prec: Prec) -> NodeId {
        use Cache::*;
        let (rhs, array, function) = match kind {
            Kind::QualType(c, _) | Kind::AbiTagAttr(c, _) => {
                let c = &self.nodes[c as usize];
                (c.rhs, c.array, c.function)
            }
            Kind::Pointer(p) | Kind::Reference(p, _) | Kind::PointerToMember(_, p) => {
                (self.nodes[p as usize].rhs, No, No)
            }
            Kind::Array(..) => (Yes, Yes, No),
            Kind::Function { .. } | Kind::FunctionEncoding { .. } => (Yes, No, Yes),
            Kind::TypeTemplateParamDecl(_)
            | Kind::ConstrainedTypeTemplateParamDecl(..)
            | Kind::NonTypeTemplateParamDecl(..)
            | Kind::TemplateTemplateParamDecl(..)
            | Kind::TemplateParamPackDecl(_) => (Yes, No, No),
            Kind::ParameterPack(list) => {
                let all_no = |f: fn(&Node) -> Cache| {
                    self.list(list)
                        .iter()
                        .all(|&n| f(&self.nodes[n as usize]) == No)
                };
                let pick = |no: bool| if no { No } else { Unknown };
                (
                    pick(all_no(|n| n.rhs)),
                    pick(all_no(|n| n.array)),
                    pick(all_no(|n| n.function)),
                )
            }
            Kind::ForwardTemplateReference(..) => (Unknown, Unknown, Unknown),
            _ => (No, No, No),
        };
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            kind,
            prec,
            rhs,
            array,
            function,
        });
        id
    }

    /// Stores `ids` as a list.
    pub(super) fn make_list(&mut self, ids: &[NodeId]) -> List {
        let start = self.lists.len() as u32;
        self.lists.extend_from_slice(ids);
        List {
            start,
            len: ids.len() as u32,
        }
    }

    pub(super) fn list(&self, l: List) -> &[NodeId] {
        &self.lists[l.start as usize..(l.start + l.len) as usize]
    }

    pub(super) fn kind(&self, n: NodeId) -> &Kind<'s> {
        &self.nodes[n as usize].kind
    }

    /// The unqualified name a node ends in (for constructors and `__uuidof`), or empty.
    pub(super) fn base_name(&self, mut n: NodeId) -> Str<'s> {
        // A chain of qualifiers: followed iteratively, with a bound against cycles.
        for _ in 0..self.nodes.len() + 1 {
            match *self.kind(n) {
                Kind::Name(s) => return s,
                Kind::AbiTagAttr(b, _) => n = b,
                Kind::Nested(_, name)
                | Kind::MemberLikeFriendName(_, name)
                | Kind::ModuleEntity(_, name)
                | Kind::Qualified(_, name)
                | Kind::NameWithTemplateArgs(name, _)
                | Kind::GlobalQualifiedName(name) => n = name,
                Kind::ExpandedSpecialSubstitution(k) => return k.full_name(),
                Kind::SpecialSubstitution(k) => return k.short_name(),
                _ => return b"",
            }
        }
        b""
    }
}

/// Deepest nesting of print calls before the printer gives up.
const MAX_DEPTH: u32 = 768;
/// Most print steps for one name before the printer gives up.
const MAX_STEPS: u32 = 1 << 22;
/// Longest output before the printer gives up.
const MAX_OUTPUT: usize = 1 << 22;

/// Prints an [`Ast`]: LLVM's `OutputBuffer` and the nodes' print functions.
pub(super) struct Printer<'a, 's> {
    ast: &'a Ast<'s>,
    out: Vec<u8>,
    pack_index: u32,
    pack_max: u32,
    paren_depth: u32,
    inside_template: bool,
    /// Per node: being printed (for the nodes that guard against cycles).
    printing: Vec<bool>,
    depth: u32,
    steps: u32,
    failed: bool,
}

impl<'a, 's> Printer<'a, 's> {
    /// Prints `root`, or `None` if the tree is too large or cyclic to print.
    pub(super) fn print_root(ast: &'a Ast<'s>, root: NodeId) -> Option<Vec<u8>> {
        let mut p = Printer {
            ast,
            out: Vec::with_capacity(128),
            pack_index: u32::MAX,
            pack_max: u32::MAX,
            paren_depth: 0,
            inside_template: false,
            printing: vec![false; ast.nodes.len()],
            depth: 0,
            steps: 0,
            failed: false,
        };
        p.print(root);
        (!p.failed).then_some(p.out)
    }

    fn node(&self, n: NodeId) -> &'a Node<'s> {
        &self.ast.nodes[n as usize]
    }

    /// Counts a step into a node; false (and printing stops) past the bounds.
    fn enter(&mut self) -> bool {
        self.steps += 1;
        self.depth += 1;
        if self.failed
            || self.depth > MAX_DEPTH
            || self.steps > MAX_STEPS
            || self.out.len() > MAX_OUTPUT
        {
            self.failed = true;
            self.depth -= 1;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn push(&mut self, s: &[u8]) {
        self.out.extend_from_slice(s);
    }

    fn push_byte(&mut self, c: u8) {
        self.out.push(c);
    }

    fn open(&mut self, c: u8) {
        if self.inside_template {
            self.paren_depth += 1;
        }
        self.out.push(c);
    }

    fn close(&mut self, c: u8) {
        if self.inside_template {
            self.paren_depth = self.paren_depth.wrapping_sub(1);
        }
        self.out.push(c);
    }

    fn print(&mut self, n: NodeId) {
        self.print_left(n);
        if self.node(n).rhs != Cache::No {
            self.print_right(n);
        }
    }

    fn print_opt(&mut self, n: Option<NodeId>) {
        if let Some(n) = n {
            self.print(n);
        }
    }

    fn print_as_operand(&mut self, n: NodeId, prec: Prec, strictly_worse: bool) {
        let paren = self.node(n).prec as u32 >= prec as u32 + strictly_worse as u32;
        if paren {
            self.open(b'(');
        }
        self.print(n);
        if paren {
            self.close(b')');
        }
    }

    fn print_with_comma(&mut self, list: List) {
        let mut first = true;
        for &e in self.ast.list(list) {
            let before_comma = self.out.len();
            if !first {
                self.push(b", ");
            }
            let after_comma = self.out.len();
            self.print_as_operand(e, Prec::Comma, false);
            // An empty pack expansion: take the comma back.
            if after_comma == self.out.len() {
                self.out.truncate(before_comma);
                continue;
            }
            first = false;
        }
    }

    fn print_quals(&mut self, q: u8) {
        if q & QUAL_CONST != 0 {
            self.push(b" const");
        }
        if q & QUAL_VOLATILE != 0 {
            self.push(b" volatile");
        }
        if q & QUAL_RESTRICT != 0 {
            self.push(b" restrict");
        }
    }

    fn print_ref_qual(&mut self, r: RefQual) {
        match r {
            RefQual::None => {}
            RefQual::LValue => self.push(b" &"),
            RefQual::RValue => self.push(b" &&"),
        }
    }

    /// Sets up printing a pack's elements, unless one is being expanded already.
    fn init_pack_expansion(&mut self, list: List) {
        if self.pack_max == u32::MAX {
            self.pack_max = list.len;
            self.pack_index = 0;
        }
    }

    /// The pack element being printed, if the index is in range.
    fn pack_element(&mut self, list: List) -> Option<NodeId> {
        self.init_pack_expansion(list);
        self.ast.list(list).get(self.pack_index as usize).copied()
    }

    fn has_rhs(&mut self, n: NodeId) -> bool {
        match self.node(n).rhs {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => self.has_slow(n, Prop::Rhs),
        }
    }

    fn has_array(&mut self, n: NodeId) -> bool {
        match self.node(n).array {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => self.has_slow(n, Prop::Array),
        }
    }

    fn has_function(&mut self, n: NodeId) -> bool {
        match self.node(n).function {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => self.has_slow(n, Prop::Function),
        }
    }

    fn has(&mut self, n: NodeId, prop: Prop) -> bool {
        match prop {
            Prop::Rhs => self.has_rhs(n),
            Prop::Array => self.has_array(n),
            Prop::Function => self.has_function(n),
        }
    }

    /// The properties that depend on the pack element being printed (LLVM's `has*Slow`).
    fn has_slow(&mut self, n: NodeId, prop: Prop) -> bool {
        if !self.enter() {
            return false;
        }
        let r = match self.node(n).kind {
            Kind::QualType(c, _) => self.has(c, prop),
            Kind::Pointer(p) | Kind::Reference(p, _) | Kind::PointerToMember(_, p) => {
                prop == Prop::Rhs && self.has_rhs(p)
            }
            Kind::Array(..) => prop != Prop::Function,
            Kind::Function { .. } | Kind::FunctionEncoding { .. } => prop != Prop::Array,
            Kind::ParameterPack(list) => match self.pack_element(list) {
                Some(e) => self.has(e, prop),
                None => false,
            },
            Kind::ForwardTemplateReference(_, r) => {
                if self.printing[n as usize] {
                    false
                } else if let Some(r) = r {
                    self.printing[n as usize] = true;
                    let v = self.has(r, prop);
                    self.printing[n as usize] = false;
                    v
                } else {
                    self.failed = true;
                    false
                }
            }
            _ => false,
        };
        self.leave();
        r
    }

    /// Looks through packs and forward references to the node that will print.
    fn syntax_node(&mut self, n: NodeId) -> NodeId {
        if !self.enter() {
            return n;
        }
        let r = match self.node(n).kind {
            Kind::ParameterPack(list) => match self.pack_element(list) {
                Some(e) => self.syntax_node(e),
                None => n,
            },
            Kind::ForwardTemplateReference(_, r) => {
                if self.printing[n as usize] {
                    n
                } else if let Some(r) = r {
                    self.printing[n as usize] = true;
                    let v = self.syntax_node(r);
                    self.printing[n as usize] = false;
                    v
                } else {
                    self.failed = true;
                    n
                }
            }
            _ => n,
        };
        self.leave();
        r
    }

    /// Follows references to references: `&` wins over `&&`. None on a cycle.
    fn collapse(&mut self, pointee: NodeId, rvalue: bool) -> Option<(bool, NodeId)> {
        let (mut rvalue, mut cur) = (rvalue, pointee);
        // Floyd's cycle detection over the chain, as LLVM.
        let mut prev: Vec<NodeId> = Vec::new();
        loop {
            if self.failed {
                return None;
            }
            let sn = self.syntax_node(cur);
            let Kind::Reference(p, rv) = self.node(sn).kind else {
                break;
            };
            cur = p;
            rvalue &= rv;
            prev.push(cur);
            if prev.len() > 2 * self.ast.nodes.len() + 2 {
                self.failed = true;
                return None;
            }
            if prev.len() > 1 && cur == prev[(prev.len() - 1) / 2] {
                return None;
            }
        }
        Some((rvalue, cur))
    }

    fn print_pack_expansion(&mut self, child: NodeId) {
        let saved = (self.pack_index, self.pack_max);
        self.pack_index = u32::MAX;
        self.pack_max = u32::MAX;
        let start = self.out.len();
        self.print(child);
        if self.pack_max == u32::MAX {
            // No pack below: a pack expansion of a function parameter.
            self.push(b"...");
        } else if self.pack_max == 0 {
            // An empty pack: print nothing.
            self.out.truncate(start);
        } else {
            for i in 1..self.pack_max {
                if self.failed {
                    break;
                }
                self.push(b", ");
                self.pack_index = i;
                self.print(child);
            }
        }
        (self.pack_index, self.pack_max) = saved;
    }

    fn print_closure_declarator(
        &mut self,
        template_params: List,
        requires1: Option<NodeId>,
        params: List,
        requires2: Option<NodeId>,
    ) {
        if !template_params.is_empty() {
            let saved = std::mem::replace(&mut self.inside_template, true);
            self.push(b"<");
            self.print_with_comma(template_params);
            self.push(b">");
            self.inside_template = saved;
        }
        if let Some(r) = requires1 {
            self.push(b" requires ");
            self.print(r);
            self.push(b" ");
        }
        self.open(b'(');
        self.print_with_comma(params);
        self.close(b')');
        if let Some(r) = requires2 {
            self.push(b" requires ");
            self.print(r);
        }
    }

    /// Prints a list of integer literals as a string literal; false (printing nothing)
    /// if they are not all small non-negative integers.
    fn print_as_string(&mut self, list: List) -> bool {
        let start = self.out.len();
        self.push_byte(b'"');
        let mut last_was_numeric_escape = false;
        for &e in self.ast.list(list) {
            let Kind::IntegerLiteral(_, value) = self.node(e).kind else {
                self.out.truncate(start);
                return false;
            };
            let mut v: u32 = 0;
            for &c in value {
                if !c.is_ascii_digit() || v > 25 {
                    self.out.truncate(start);
                    return false;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            if v > 255 {
                self.out.truncate(start);
                return false;
            }
            let c = v as u8;
            // `""` keeps a hex digit from extending the previous numeric escape.
            if last_was_numeric_escape && c.is_ascii_hexdigit() {
                self.push(b"\"\"");
            }
            last_was_numeric_escape = false;
            match c {
                7 => self.push(b"\\a"),
                8 => self.push(b"\\b"),
                12 => self.push(b"\\f"),
                b'\n' => self.push(b"\\n"),
                b'\r' => self.push(b"\\r"),
                b'\t' => self.push(b"\\t"),
                11 => self.push(b"\\v"),
                b'"' => self.push(b"\\\""),
                b'\\' => self.push(b"\\\\"),
                c if c < 32 || c == 127 => {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    self.push_byte(b'\\');
                    if c > 7 {
                        self.push_byte(b'x');
                    }
                    if c >= 16 {
                        self.push_byte(HEX[usize::from(c >> 4)]);
                    }
                    self.push_byte(HEX[usize::from(c & 15)]);
                    last_was_numeric_escape = true;
                }
                c => self.push_byte(c),
            }
        }
        self.push_byte(b'"');
        true
    }

    fn print_negatable(&mut self, digits: Str<'s>) {
        match digits.split_first() {
            Some((b'n', rest)) => {
                self.push_byte(b'-');
                self.push(rest);
            }
            _ => self.push(digits),
        }
    }

    fn print_left(&mut self, n: NodeId) {
        if !self.enter() {
            return;
        }
        self.print_left_inner(n);
        self.leave();
    }

    fn print_right(&mut self, n: NodeId) {
        if !self.enter() {
            return;
        }
        self.print_right_inner(n);
        self.leave();
    }

    fn print_left_inner(&mut self, n: NodeId) {
        let node = *self.node(n);
        match node.kind {
            Kind::NodeArray(l) => self.print_with_comma(l),
            Kind::DotSuffix(prefix, suffix) => {
                self.print(prefix);
                self.push(b" (");
                self.push(suffix);
                self.push(b")");
            }
            Kind::VendorExtQualType(ty, ext, ta) => {
                self.print(ty);
                self.push(b" ");
                self.push(ext);
                self.print_opt(ta);
            }
            Kind::QualType(child, q) => {
                self.print_left(child);
                self.print_quals(q);
            }
            Kind::ConversionOperatorType(ty) => {
                self.push(b"operator ");
                self.print(ty);
            }
            Kind::PostfixQualifiedType(ty, postfix) => {
                self.print_left(ty);
                self.push(postfix);
            }
            Kind::ElaboratedTypeSpefType(kind, child) => {
                self.push(kind);
                self.push_byte(b' ');
                self.print(child);
            }
            Kind::TransformedType(transform, base) => {
                self.push(transform);
                self.push_byte(b'(');
                self.print(base);
                self.push_byte(b')');
            }
            Kind::Name(s) => self.push(s),
            Kind::AbiTagAttr(base, tag) => {
                self.print_left(base);
                self.push(b"[abi:");
                self.push(tag);
                self.push(b"]");
            }
            Kind::EnableIfAttr(conds) => {
                self.push(b" [enable_if:");
                self.print_with_comma(conds);
                self.push_byte(b']');
            }
            Kind::ObjCProtoName(ty, proto) => {
                self.print(ty);
                self.push(b"<");
                self.push(proto);
                self.push(b">");
            }
            Kind::Pointer(p) => {
                if let Some(proto) = self.objc_id_protocol(p) {
                    // objc_object<Proto>* prints as id<Proto>.
                    self.push(b"id<");
                    self.push(proto);
                    self.push(b">");
                } else {
                    self.print_left(p);
                    if self.has_array(p) {
                        self.push(b" ");
                    }
                    if self.has_array(p) || self.has_function(p) {
                        self.push(b"(");
                    }
                    self.push(b"*");
                }
            }
            Kind::Reference(p, rv) => {
                if self.printing[n as usize] {
                    return;
                }
                self.printing[n as usize] = true;
                if let Some((rv, target)) = self.collapse(p, rv) {
                    self.print_left(target);
                    if self.has_array(target) {
                        self.push(b" ");
                    }
                    if self.has_array(target) || self.has_function(target) {
                        self.push(b"(");
                    }
                    self.push(if rv { b"&&".as_slice() } else { b"&" });
                }
                self.printing[n as usize] = false;
            }
            Kind::PointerToMember(class, member) => {
                self.print_left(member);
                if self.has_array(member) || self.has_function(member) {
                    self.push(b"(");
                } else {
                    self.push(b" ");
                }
                self.print(class);
                self.push(b"::*");
            }
            Kind::Array(base, _) => self.print_left(base),
            Kind::Function { ret, .. } => {
                self.print_left(ret);
                self.push(b" ");
            }
            Kind::NoexceptSpec(e) => {
                self.push(b"noexcept");
                self.open(b'(');
                self.print_as_operand(e, Prec::Default, false);
                self.close(b')');
            }
            Kind::DynamicExceptionSpec(types) => {
                self.push(b"throw");
                self.open(b'(');
                self.print_with_comma(types);
                self.close(b')');
            }
            Kind::ExplicitObjectParameter(base) => {
                self.push(b"this ");
                self.print(base);
            }
            Kind::FunctionEncoding { ret, name, .. } => {
                if let Some(ret) = ret {
                    self.print_left(ret);
                    if !self.has_rhs(ret) {
                        self.push(b" ");
                    }
                }
                self.print(name);
            }
            Kind::LiteralOperator(op) => {
                self.push(b"operator\"\" ");
                self.print(op);
            }
            Kind::SpecialName(special, child) => {
                self.push(special);
                self.print(child);
            }
            Kind::CtorVtableSpecialName(first, second) => {
                self.push(b"construction vtable for ");
                self.print(first);
                self.push(b"-in-");
                self.print(second);
            }
            Kind::Nested(qual, name) | Kind::Qualified(qual, name) => {
                self.print(qual);
                self.push(b"::");
                self.print(name);
            }
            Kind::MemberLikeFriendName(qual, name) => {
                self.print(qual);
                self.push(b"::friend ");
                self.print(name);
            }
            Kind::ModuleName(parent, name, partition) => {
                self.print_opt(parent);
                if parent.is_some() || partition {
                    self.push_byte(if partition { b':' } else { b'.' });
                }
                self.print(name);
            }
            Kind::ModuleEntity(module, name) => {
                self.print(name);
                self.push_byte(b'@');
                self.print(module);
            }
            Kind::Local(encoding, entity) => {
                self.print(encoding);
                self.push(b"::");
                self.print(entity);
            }
            Kind::Vector(base, dim) => {
                self.print(base);
                self.push(b" vector[");
                self.print_opt(dim);
                self.push(b"]");
            }
            Kind::PixelVector(dim) => {
                self.push(b"pixel vector[");
                self.print(dim);
                self.push(b"]");
            }
            Kind::BinaryFP(dim) => {
                self.push(b"_Float");
                self.print(dim);
            }
            Kind::BitInt(size, signed) => {
                if !signed {
                    self.push(b"unsigned ");
                }
                self.push(b"_BitInt");
                self.open(b'(');
                self.print_as_operand(size, Prec::Default, false);
                self.close(b')');
            }
            Kind::SyntheticTemplateParamName(kind, index) => {
                self.push(match kind {
                    ParamKind::Type => b"$T".as_slice(),
                    ParamKind::NonType => b"$N",
                    ParamKind::Template => b"$TT",
                });
                if index > 0 {
                    self.push((index - 1).to_string().as_bytes());
                }
            }
            Kind::TemplateParamQualifiedArg(arg) => self.print(arg),
            Kind::TypeTemplateParamDecl(_) => self.push(b"typename "),
            Kind::ConstrainedTypeTemplateParamDecl(constraint, _) => {
                self.print(constraint);
                self.push(b" ");
            }
            Kind::NonTypeTemplateParamDecl(_, ty) => {
                self.print_left(ty);
                if !self.has_rhs(ty) {
                    self.push(b" ");
                }
            }
            Kind::TemplateTemplateParamDecl(_, params, _) => {
                let saved = std::mem::replace(&mut self.inside_template, true);
                self.push(b"template<");
                self.print_with_comma(params);
                self.push(b"> typename ");
                self.inside_template = saved;
            }
            Kind::TemplateParamPackDecl(param) => {
                self.print_left(param);
                self.push(b"...");
            }
            Kind::ParameterPack(list) => {
                if let Some(e) = self.pack_element(list) {
                    self.print_left(e);
                }
            }
            Kind::TemplateArgumentPack(elements) => self.print_with_comma(elements),
            Kind::ParameterPackExpansion(child) => self.print_pack_expansion(child),
            Kind::TemplateArgs(params) => {
                let saved = std::mem::replace(&mut self.inside_template, true);
                self.push(b"<");
                self.print_with_comma(params);
                self.push(b">");
                self.inside_template = saved;
            }
            Kind::ForwardTemplateReference(_, r) => {
                if self.printing[n as usize] {
                    return;
                }
                let Some(r) = r else {
                    self.failed = true;
                    return;
                };
                self.printing[n as usize] = true;
                self.print_left(r);
                self.printing[n as usize] = false;
            }
            Kind::NameWithTemplateArgs(name, args) => {
                self.print(name);
                self.print(args);
            }
            Kind::GlobalQualifiedName(child) => {
                self.push(b"::");
                self.print(child);
            }
            Kind::ExpandedSpecialSubstitution(k) => {
                self.push(b"std::");
                self.push(k.full_name());
                if k.is_instantiation() {
                    self.push(b"<char, std::char_traits<char>");
                    if k == SpecialSub::String {
                        self.push(b", std::allocator<char>");
                    }
                    self.push(b">");
                }
            }
            Kind::SpecialSubstitution(k) => {
                self.push(b"std::");
                self.push(k.short_name());
            }
            Kind::CtorDtorName(base, dtor) => {
                if dtor {
                    self.push(b"~");
                }
                let name = self.ast.base_name(base);
                self.push(name);
            }
            Kind::DtorName(base) => {
                self.push(b"~");
                self.print_left(base);
            }
            Kind::UnnamedTypeName(count) => {
                self.push(b"'unnamed");
                self.push(count);
                self.push(b"'");
            }
            Kind::ClosureTypeName {
                template_params,
                requires1,
                params,
                requires2,
                count,
            } => {
                self.push(b"'lambda");
                self.push(count);
                self.push(b"'");
                self.print_closure_declarator(template_params, requires1, params, requires2);
            }
            Kind::StructuredBindingName(bindings) => {
                self.open(b'[');
                self.print_with_comma(bindings);
                self.close(b']');
            }
            Kind::BinaryExpr(lhs, op, rhs) => {
                // A `>` inside template arguments needs parentheses.
                let paren_all = self.paren_depth == 0 && (op == b">" || op == b">>");
                if paren_all {
                    self.open(b'(');
                }
                // Assignment is right-associative, with a special left precedence.
                let assign = node.prec == Prec::Assign;
                self.print_as_operand(lhs, if assign { Prec::OrIf } else { node.prec }, !assign);
                if op != b"," {
                    self.push(b" ");
                }
                self.push(op);
                self.push(b" ");
                self.print_as_operand(rhs, node.prec, assign);
                if paren_all {
                    self.close(b')');
                }
            }
            Kind::ArraySubscriptExpr(op1, op2) => {
                self.print_as_operand(op1, node.prec, false);
                self.open(b'[');
                self.print_as_operand(op2, Prec::Default, false);
                self.close(b']');
            }
            Kind::PostfixExpr(child, op) => {
                self.print_as_operand(child, node.prec, true);
                self.push(op);
            }
            Kind::ConditionalExpr(cond, then, els) => {
                self.print_as_operand(cond, node.prec, false);
                self.push(b" ? ");
                self.print_as_operand(then, Prec::Default, false);
                self.push(b" : ");
                self.print_as_operand(els, Prec::Assign, true);
            }
            Kind::MemberExpr(lhs, kind, rhs) => {
                self.print_as_operand(lhs, node.prec, true);
                self.push(kind);
                self.print_as_operand(rhs, node.prec, false);
            }
            Kind::SubobjectExpr { ty, sub, offset } => {
                self.print(sub);
                self.push(b".<");
                self.print(ty);
                self.push(b" at offset ");
                if offset.is_empty() {
                    self.push(b"0");
                } else {
                    self.print_negatable(offset);
                }
                self.push(b">");
            }
            Kind::EnclosingExpr(prefix, infix) => {
                self.push(prefix);
                self.open(b'(');
                self.print(infix);
                self.close(b')');
            }
            Kind::CastExpr(kind, to, from) => {
                self.push(kind);
                let saved = std::mem::replace(&mut self.inside_template, true);
                self.push(b"<");
                self.print_left(to);
                self.push(b">");
                self.inside_template = saved;
                self.open(b'(');
                self.print_as_operand(from, Prec::Default, false);
                self.close(b')');
            }
            Kind::SizeofParamPackExpr(pack) => {
                self.push(b"sizeof...");
                self.open(b'(');
                self.print_pack_expansion(pack);
                self.close(b')');
            }
            Kind::CallExpr(callee, args, paren) => {
                if paren {
                    self.open(b'(');
                }
                self.print(callee);
                if paren {
                    self.close(b')');
                }
                self.open(b'(');
                self.print_with_comma(args);
                self.close(b')');
            }
            Kind::NewExpr {
                exprs,
                ty,
                inits,
                global,
                array,
            } => {
                if global {
                    self.push(b"::");
                }
                self.push(b"new");
                if array {
                    self.push(b"[]");
                }
                if !exprs.is_empty() {
                    self.open(b'(');
                    self.print_with_comma(exprs);
                    self.close(b')');
                }
                self.push(b" ");
                self.print(ty);
                if !inits.is_empty() {
                    self.open(b'(');
                    self.print_with_comma(inits);
                    self.close(b')');
                }
            }
            Kind::DeleteExpr(op, global, array) => {
                if global {
                    self.push(b"::");
                }
                self.push(b"delete");
                if array {
                    self.push(b"[]");
                }
                self.push_byte(b' ');
                self.print(op);
            }
            Kind::PrefixExpr(prefix, child) => {
                self.push(prefix);
                self.print_as_operand(child, node.prec, false);
            }
            Kind::FunctionParam(number) => {
                self.push(b"fp");
                self.push(number);
            }
            Kind::ConversionExpr(ty, exprs) => {
                self.open(b'(');
                self.print(ty);
                self.close(b')');
                self.open(b'(');
                self.print_with_comma(exprs);
                self.close(b')');
            }
            Kind::PointerToMemberConversionExpr(ty, sub) => {
                self.open(b'(');
                self.print(ty);
                self.close(b')');
                self.open(b'(');
                self.print(sub);
                self.close(b')');
            }
            Kind::InitListExpr(ty, inits) => {
                if let Some(ty) = ty {
                    if self.print_init_list_as_type(ty, inits) {
                        return;
                    }
                    self.print(ty);
                }
                self.push_byte(b'{');
                self.print_with_comma(inits);
                self.push_byte(b'}');
            }
            Kind::BracedExpr(elem, init, array) => {
                if array {
                    self.push_byte(b'[');
                    self.print(elem);
                    self.push_byte(b']');
                } else {
                    self.push_byte(b'.');
                    self.print(elem);
                }
                if !self.is_braced(init) {
                    self.push(b" = ");
                }
                self.print(init);
            }
            Kind::BracedRangeExpr(first, last, init) => {
                self.push_byte(b'[');
                self.print(first);
                self.push(b" ... ");
                self.print(last);
                self.push_byte(b']');
                if !self.is_braced(init) {
                    self.push(b" = ");
                }
                self.print(init);
            }
            Kind::FoldExpr {
                left,
                op,
                pack,
                init,
            } => {
                let print_pack = |p: &mut Self| {
                    p.open(b'(');
                    p.print_pack_expansion(pack);
                    p.close(b')');
                };
                self.open(b'(');
                // `[(init|pack) op ]...[ op (pack|init)]`; the operands are cast-expressions.
                if !left || init.is_some() {
                    match (left, init) {
                        (true, Some(init)) => self.print_as_operand(init, Prec::Cast, true),
                        _ => print_pack(self),
                    }
                    self.push(b" ");
                    self.push(op);
                    self.push(b" ");
                }
                self.push(b"...");
                if left || init.is_some() {
                    self.push(b" ");
                    self.push(op);
                    self.push(b" ");
                    match (left, init) {
                        (false, Some(init)) => self.print_as_operand(init, Prec::Cast, true),
                        _ => print_pack(self),
                    }
                }
                self.close(b')');
            }
            Kind::ThrowExpr(op) => {
                self.push(b"throw ");
                self.print(op);
            }
            Kind::BoolExpr(v) => self.push(if v { b"true".as_slice() } else { b"false" }),
            Kind::StringLiteral(ty) => {
                self.push(b"\"<");
                self.print(ty);
                self.push(b">\"");
            }
            Kind::LambdaExpr(ty) => {
                self.push(b"[]");
                if let Kind::ClosureTypeName {
                    template_params,
                    requires1,
                    params,
                    requires2,
                    ..
                } = self.node(ty).kind
                {
                    self.print_closure_declarator(template_params, requires1, params, requires2);
                }
                self.push(b"{...}");
            }
            Kind::EnumLiteral(ty, integer) => {
                self.open(b'(');
                self.print(ty);
                self.close(b')');
                self.print_negatable(integer);
            }
            Kind::IntegerLiteral(ty, value) => {
                if ty.len() > 3 {
                    self.open(b'(');
                    self.push(ty);
                    self.close(b')');
                }
                self.print_negatable(value);
                if ty.len() <= 3 {
                    self.push(ty);
                }
            }
            Kind::FloatLiteral(kind, digits) => {
                let text = super::float::format(kind, digits);
                self.push(text.as_bytes());
            }
            Kind::RequiresExpr(params, reqs) => {
                self.push(b"requires");
                if !params.is_empty() {
                    self.push_byte(b' ');
                    self.open(b'(');
                    self.print_with_comma(params);
                    self.close(b')');
                }
                self.push_byte(b' ');
                self.open(b'{');
                for &r in self.ast.list(reqs) {
                    self.print(r);
                }
                self.push_byte(b' ');
                self.close(b'}');
            }
            Kind::ExprRequirement(expr, noexcept, constraint) => {
                self.push(b" ");
                let braces = noexcept || constraint.is_some();
                if braces {
                    self.open(b'{');
                }
                self.print(expr);
                if braces {
                    self.close(b'}');
                }
                if noexcept {
                    self.push(b" noexcept");
                }
                if let Some(c) = constraint {
                    self.push(b" -> ");
                    self.print(c);
                }
                self.push_byte(b';');
            }
            Kind::TypeRequirement(ty) => {
                self.push(b" typename ");
                self.print(ty);
                self.push_byte(b';');
            }
            Kind::NestedRequirement(c) => {
                self.push(b" requires ");
                self.print(c);
                self.push_byte(b';');
            }
        }
    }

    fn print_right_inner(&mut self, n: NodeId) {
        let node = *self.node(n);
        match node.kind {
            Kind::QualType(child, _) => self.print_right(child),
            Kind::Pointer(p) if self.objc_id_protocol(p).is_none() => {
                if self.has_array(p) || self.has_function(p) {
                    self.push(b")");
                }
                self.print_right(p);
            }
            Kind::Reference(p, rv) => {
                if self.printing[n as usize] {
                    return;
                }
                self.printing[n as usize] = true;
                if let Some((_, target)) = self.collapse(p, rv) {
                    if self.has_array(target) || self.has_function(target) {
                        self.push(b")");
                    }
                    self.print_right(target);
                }
                self.printing[n as usize] = false;
            }
            Kind::PointerToMember(_, member) => {
                if self.has_array(member) || self.has_function(member) {
                    self.push(b")");
                }
                self.print_right(member);
            }
            Kind::Array(base, dim) => {
                if self.out.last() != Some(&b']') {
                    self.push(b" ");
                }
                self.push(b"[");
                self.print_opt(dim);
                self.push(b"]");
                self.print_right(base);
            }
            Kind::Function {
                ret,
                params,
                cv,
                ref_qual,
                exception,
            } => {
                self.open(b'(');
                self.print_with_comma(params);
                self.close(b')');
                self.print_right(ret);
                self.print_quals(cv);
                self.print_ref_qual(ref_qual);
                if let Some(e) = exception {
                    self.push_byte(b' ');
                    self.print(e);
                }
            }
            Kind::FunctionEncoding {
                ret,
                params,
                attrs,
                requires,
                cv,
                ref_qual,
                ..
            } => {
                self.open(b'(');
                self.print_with_comma(params);
                self.close(b')');
                if let Some(ret) = ret {
                    self.print_right(ret);
                }
                self.print_quals(cv);
                self.print_ref_qual(ref_qual);
                self.print_opt(attrs);
                if let Some(r) = requires {
                    self.push(b" requires ");
                    self.print(r);
                }
            }
            Kind::TypeTemplateParamDecl(name) | Kind::ConstrainedTypeTemplateParamDecl(_, name) => {
                self.print(name)
            }
            Kind::NonTypeTemplateParamDecl(name, ty) => {
                self.print(name);
                self.print_right(ty);
            }
            Kind::TemplateTemplateParamDecl(name, _, requires) => {
                self.print(name);
                if let Some(r) = requires {
                    self.push(b" requires ");
                    self.print(r);
                }
            }
            Kind::TemplateParamPackDecl(param) => self.print_right(param),
            Kind::ParameterPack(list) => {
                if let Some(e) = self.pack_element(list) {
                    self.print_right(e);
                }
            }
            Kind::ForwardTemplateReference(_, r) => {
                if self.printing[n as usize] {
                    return;
                }
                let Some(r) = r else {
                    self.failed = true;
                    return;
                };
                self.printing[n as usize] = true;
                self.print_right(r);
                self.printing[n as usize] = false;
            }
            _ => {}
        }
    }

    /// For `objc_object<Proto>*`: the protocol, which prints as `id<Proto>`.
    fn objc_id_protocol(&self, pointee: NodeId) -> Option<Str<'s>> {
        match self.node(pointee).kind {
            Kind::ObjCProtoName(ty, proto)
                if matches!(self.node(ty).kind, Kind::Name(b"objc_object")) =>
            {
                Some(proto)
            }
            _ => None,
        }
    }

    fn is_braced(&self, n: NodeId) -> bool {
        matches!(
            self.node(n).kind,
            Kind::BracedExpr(..) | Kind::BracedRangeExpr(..)
        )
    }

    /// A `char` array's initializer list prints as a string literal, where it can.
    fn print_init_list_as_type(&mut self, ty: NodeId, inits: List) -> bool {
        match self.node(ty).kind {
            Kind::Array(base, _) if matches!(self.node(base).kind, Kind::Name(b"char")) => {
                self.print_as_string(inits)
            }
            _ => false,
        }
    }
}

/// Which cached property [`Printer::has_slow`] computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prop {
    Rhs,
    Array,
    Function,
}
