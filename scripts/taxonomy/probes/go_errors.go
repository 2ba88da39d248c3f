// Prints the exported error variables of Go's standard library (`var ErrX = errors.New("...")`),
// one JSON object per line: package, name, message.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	root, _ := filepath.EvalSymlinks(filepath.Join(os.Args[1], "src"))
	filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if entry.IsDir() {
			base := entry.Name()
			if base == "internal" || base == "vendor" || base == "testdata" || base == "cmd" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return nil
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				value := spec.(*ast.ValueSpec)
				for i, name := range value.Names {
					if !name.IsExported() || i >= len(value.Values) {
						continue
					}
					call, ok := value.Values[i].(*ast.CallExpr)
					if !ok || len(call.Args) != 1 {
						continue
					}
					selector, ok := call.Fun.(*ast.SelectorExpr)
					if !ok || selector.Sel.Name != "New" {
						continue
					}
					literal, ok := call.Args[0].(*ast.BasicLit)
					if !ok || literal.Kind != token.STRING {
						continue
					}
					message, _ := strconv.Unquote(literal.Value)
					line, _ := json.Marshal(map[string]string{"package": filepath.Dir(rel), "name": name.Name, "message": message})
					fmt.Println(string(line))
				}
			}
		}
		return nil
	})
}
